/*
 * decode_cases.S - the instructions tests/test_decode.c decodes.  Each
 * line is one case; the build assembles this file and takes every
 * instruction's bytes, length and operands from `objdump -d`
 * (tests/gen_decode_cases.pl), so the expectations come from binutils.
 * One section per code size.
 */
	.section .text16, "ax"
	.code16
	add	%al, (%bx,%si)
	add	%ax, 0x12(%bx,%di)
	add	0x1234(%bp,%si), %cx
	sub	-2(%bp,%di), %dx
	xor	%si, (%si)
	and	%di, 5(%di)
	or	(%bp), %ax
	cmp	%bx, (%bx)
	mov	0x1234, %ax
	mov	%ax, 0x5678
	mov	%ax, %es:(%bx)
	mov	%ss:4(%si), %bx
	movw	$0x1234, 8(%bp)
	movb	$0x12, -3(%bp,%si)
	movl	$0x12345678, (%di)
	mov	%eax, 0x10(%bx,%si)
	mov	(%eax), %ax
	mov	0x10(%eax,%ebx,4), %cx
	mov	$0x1234, %ax
	mov	$0x12345678, %eax
	mov	$0x7f, %bl
	movzbw	(%bx), %ax
	movzwl	(%si), %eax
	movsbw	-1(%bx), %cx
	addw	$0x1234, (%bx)
	addw	$-3, (%bx)
	cmpb	$7, 2(%bx,%si)
	testw	$0x8000, (%di)
	test	%al, (%bx)
	push	%ax
	pop	%bx
	push	$0x1234
	push	$-1
	pushf
	popf
	pushfl
	cli
	sti
	hlt
	in	$0x60, %al
	in	%dx, %ax
	out	%al, $0x80
	out	%eax, %dx
	rep insb
	rep outsw
	rep movsb
	rep stosw
	lodsb
	int	$0x10
	iret
	lgdt	(%bx)
	lidt	0x10(%si)
	lgdtl	(%bx)
	lldt	%ax
	ltr	(%bx)
	mov	%cr0, %eax
	mov	%eax, %cr0
	mov	%eax, %cr3
	rdmsr
	wrmsr
	invlpg	(%bx)
	wbinvd
	lea	4(%bp,%di), %si
	les	(%bx), %ax
	lds	2(%si), %di
	ljmp	$0x1000, $0x2345
	lcall	$0x10, $0x20
	enter	$0x10, $1
	ret	$4
	lret
	imul	$0x1234, %bx, %ax
	shlw	$3, (%bx)
	rol	%cl, %ax
	not	%ax
	incw	(%bx)
	call	*(%bx)
	jmp	*%ax
	jmp	1f
	jz	1f
	loop	1f
	jcxz	1f
	jnz	1f
	call	1f
1:	nop
	xchg	%ax, %bx
	cwtl
	flds	(%bx)
	bound	%ax, (%bx)
	aaa
	daa
	aam	$10

	.section .text32, "ax"
	.code32
	add	%eax, (%eax)
	add	%al, (%ecx)
	add	(%edx), %ebx
	add	$0x12345678, %eax
	add	$0x12, %al
	addl	$0x12345678, 0x10(%ebx)
	addl	$-1, 4(%esp)
	addb	$0x80, (%esi)
	or	%ecx, 0x12345678
	and	(%esp), %eax
	and	%edx, 0x8(%esp,%esi,2)
	sub	%eax, -0x80(%ebp)
	sub	0x7f(%ebp,%edi,8), %ecx
	xor	%eax, 0x12345678(,%ecx,4)
	xor	(,%eax,1), %eax
	cmp	%esi, (%ebp)
	cmpl	$0, 0x40(%eax)
	cmpw	$0x1234, (%eax)
	test	%eax, (%ebx)
	testb	$1, 0x3(%ecx)
	testl	$0xfffff000, (%edx)
	mov	%eax, (%ebx)
	mov	%ax, (%ebx)
	mov	%al, (%ebx)
	mov	%ah, (%ebx)
	mov	(%ebx), %esi
	mov	(%ebx), %si
	mov	(%ebx), %dh
	mov	0x12345678, %eax
	mov	%al, 0x12345678
	mov	%fs:0x10, %eax
	mov	%eax, %gs:(%ecx)
	movl	$0xdeadbeef, 0x1000(%edi)
	movw	$0xbeef, 0x1000(%edi)
	movb	$0xef, 0x1000(%edi)
	mov	%es:0x4(%ebp), %eax
	mov	(%bx,%si), %eax
	mov	$0x11223344, %edi
	mov	$0x1122, %di
	movzbl	(%eax), %ebx
	movzwl	0x2(%eax), %ebx
	movzbw	(%eax), %bx
	movsbl	-1(%eax), %ecx
	movswl	(%eax,%eax,1), %ecx
	lea	0x10(%esp,%ebp,4), %eax
	lea	(%esi), %esi
	push	%ebp
	push	$0x12345678
	push	$0x12
	pushl	0x8(%ebp)
	pop	%edi
	popl	(%eax)
	pushf
	popf
	pushfw
	cli
	sti
	hlt
	in	$0x71, %al
	in	$0x71, %eax
	in	%dx, %ax
	out	%al, %dx
	out	%ax, $0x42
	insl	(%dx), %es:(%edi)
	outsb	%ds:(%esi), (%dx)
	rep insw (%dx), %es:(%edi)
	rep outsl %ds:(%esi), (%dx)
	rep movsl
	rep stosb
	rep stosl
	movsw
	lodsl
	lgdt	(%eax)
	lidt	0x1234(%ebx)
	lgdtw	(%eax)
	lldt	%dx
	lldt	(%eax)
	ltr	%ax
	sgdt	(%eax)
	sidt	(%eax)
	mov	%cr0, %eax
	mov	%cr2, %edx
	mov	%cr3, %ebx
	mov	%cr4, %ecx
	mov	%eax, %cr0
	mov	%edi, %cr3
	mov	%esi, %cr4
	mov	%db7, %eax
	clts
	rdmsr
	wrmsr
	invlpg	(%eax)
	invlpg	0x1000(%ebx,%ecx,2)
	wbinvd
	invd
	cpuid
	rdtsc
	int3
	int	$0x80
	into
	iret
	lock	addl $1, (%eax)
	lock	xchg %eax, (%ebx)
	lock	cmpxchg %ecx, (%edx)
	xadd	%eax, (%ecx)
	bswap	%eax
	bt	$3, %eax
	bts	%eax, (%ebx)
	shld	$4, %eax, (%ebx)
	shrd	%cl, %eax, %edx
	imul	(%eax), %ebx
	imul	$0x12345678, %eax, %ebx
	imul	$0x12, %eax, %ebx
	cmovz	(%eax), %ebx
	setnz	(%eax)
	sete	%al
	call	*0x10(%eax)
	jmp	*(%eax,%ebx,4)
	ljmp	$0x8, $0x12345678
	lcall	$0x10, $0x100
	ljmp	*(%eax)
	enter	$0x100, $0
	leave
	ret
	ret	$0x10
	jmp	2f
	jmp	3f
	jz	2f
	jnz	3f
	call	2f
	loop	2f
	jecxz	2f
2:	nop
	.fill	130, 1, 0x90
3:	nop
	nopw	0x0(%eax,%eax,1)
	nopl	0x0(%eax)
	xlat
	cbtw
	cltd
	pusha
	popa
	lahf
	sar	$1, %eax
	shrl	%cl, (%eax)
	neg	%eax
	mul	%ecx
	divl	(%ebx)
	idivb	(%ebx)
	incl	(%eax)
	decb	(%eax)
	les	(%eax), %eax
	lds	(%eax), %ecx
	bound	%eax, (%ebx)
	arpl	%ax, (%ebx)
	fldl	(%eax)
	fstps	8(%esp)
	fnstsw	%ax
	fninit
	ud2
	sysenter
	movnti	%eax, (%ebx)
	popcnt	(%eax), %ecx
	crc32b	(%eax), %ecx
	movbe	(%eax), %ecx
	prefetcht0 (%eax)
	clflush	(%eax)
	xbegin	3b
	vmcall
	vmlaunch
	vmread	%eax, (%ebx)
	vmwrite	(%ebx), %eax
	rdrand	%eax

	.section .text64, "ax"
	.code64
	add	%rax, (%rax)
	add	%eax, (%rax)
	add	%r8, (%r9)
	add	(%r12), %r13
	add	%al, (%r13)
	add	%sil, (%rdi)
	add	$0x12345678, %rax
	addq	$0x12345678, 0x10(%rbx)
	addq	$-1, 8(%rsp)
	addb	$1, (%rip)
	addl	$0x1000, 0x100(%rip)
	or	%rcx, 0x10(%rax,%rbx,8)
	or	%r10, (%r11,%r12,4)
	and	0x12345678(%r13,%r14,2), %r15
	and	(%rsp), %r8d
	and	(%r12), %eax
	sub	%rax, -0x80(%rbp)
	sub	(%r13), %rax
	sub	%eax, (,%r9,2)
	xor	%eax, 0x12345678
	xor	(%rbp,%rbx), %ecx
	xor	%ax, (%rsp,%r12,8)
	cmp	%rsi, (%rbp)
	cmpq	$0, 0x40(%rax)
	cmpw	$0x1234, (%rax)
	cmpb	$0x12, 0x7fffffff(%rax)
	cmp	%r8b, -0x7fffffff(%rax)
	test	%rax, (%rbx)
	testb	$1, 0x3(%rcx)
	testq	$0x7ffff000, (%rdx)
	testw	$0x1234, (%rdx)
	mov	%rax, (%rbx)
	mov	%eax, (%rbx)
	mov	%ax, (%rbx)
	mov	%al, (%rbx)
	mov	%ah, (%rbx)
	mov	%r8, (%r9)
	mov	%r9d, (%r10)
	mov	%r10w, (%r11)
	mov	%r11b, (%r12)
	mov	(%rbx), %rsi
	mov	(%rbx), %dh
	mov	(%rbx), %sil
	mov	0x10(%rip), %rax
	mov	%rcx, -0x10(%rip)
	mov	%eax, 0x12345678(%rip)
	mov	%fs:0x28, %rax
	mov	%gs:(%rax), %rax
	mov	%gs:0x10(%rip), %eax
	movabs	0x1122334455667788, %rax
	movabs	%al, 0x1122334455667788
	movabs	0x1122334455667788, %eax
	mov	(%eax), %rax
	mov	0x10(%eax,%ebx,2), %ecx
	mov	0x10(%eip), %eax
	movq	$0x12345678, (%rdi)
	movq	$-1, 0x8(%rdi)
	movl	$0xdeadbeef, 0x1000(%rdi)
	movw	$0xbeef, (%r15)
	movb	$0xef, (%r15,%r14)
	mov	$0x1122334455667788, %rax
	mov	$0x11223344, %r8d
	mov	$0x1122, %r9w
	mov	$0x11, %r10b
	mov	$0x12, %spl
	movzbl	(%rax), %ebx
	movzbq	(%rax), %rbx
	movzwq	(%rax), %r8
	movzbw	(%rax), %r9w
	movsbq	-1(%rax), %rcx
	movswl	(%rax,%rax,1), %ecx
	movslq	(%rax), %rax
	movslq	0x100(%r8,%r9,8), %r10
	lea	0x10(%rsp,%rbp,4), %rax
	lea	0x0(%rip), %rsi
	lea	(%r13), %rsi
	lea	(%r12), %rsi
	lea	(%rbp), %rsi
	push	%rbp
	push	%r12
	push	$0x12345678
	push	$0x12
	pushq	0x8(%rbp)
	pushw	$0x1234
	pop	%r15
	popq	(%rax)
	pushf
	popf
	pushfw
	cli
	sti
	hlt
	in	$0x71, %al
	in	%dx, %eax
	out	%al, %dx
	out	%ax, $0x42
	rep insb (%dx), %es:(%rdi)
	rep outsw %ds:(%rsi), (%dx)
	rep movsq
	rep movsb
	rep stosq
	rep stosl
	stosb
	lodsq
	lgdt	(%rax)
	lidt	0x1234(%rbx)
	lgdt	(%rip)
	lldt	%dx
	ltr	(%rax)
	ltr	%r8w
	mov	%cr0, %rax
	mov	%cr2, %rdx
	mov	%cr3, %r9
	mov	%cr4, %rcx
	mov	%cr8, %rax
	mov	%rax, %cr0
	mov	%rdi, %cr3
	mov	%r10, %cr4
	mov	%rbx, %cr8
	mov	%db6, %rax
	clts
	rdmsr
	wrmsr
	invlpg	(%rax)
	invlpg	0x1000(%r8,%rcx,2)
	wbinvd
	invd
	swapgs
	syscall
	sysretq
	rdtscp
	cpuid
	int3
	int	$0x80
	iretq
	lock	addq $1, (%rax)
	lock	orl $0x10, 0x20(%rbx)
	lock	xchg %rax, (%rbx)
	lock	cmpxchg %rcx, (%rdx)
	lock	cmpxchg16b (%rdi)
	xadd	%rax, (%rcx)
	bswap	%r8
	bt	$3, %rax
	btsq	$63, (%rbx)
	shld	$4, %rax, (%rbx)
	imul	(%rax), %rbx
	imul	$0x12345678, %rax, %rbx
	imul	$-2, %r9, %r10
	cmovz	(%rax), %r11
	setnz	(%rax)
	setg	%r8b
	call	*0x10(%rax)
	call	*%r11
	jmp	*(%rax,%rbx,8)
	jmp	*0x10(%rip)
	ljmp	*(%rax)
	enter	$0x100, $0
	leave
	ret
	ret	$0x10
	jmp	4f
	jmp	5f
	jz	4f
	jnz	5f
	call	4f
	loop	4f
	jrcxz	4f
4:	nop
	.fill	130, 1, 0x90
5:	nop
	nopw	0x0(%rax,%rax,1)
	nopl	0x0(%rax)
	endbr64
	pause
	xlat
	cqto
	cltq
	sar	$1, %rax
	shrq	%cl, (%rax)
	neg	%r8
	mulq	(%rcx)
	divl	(%rbx)
	idivb	(%rbx)
	incq	(%rax)
	decb	(%r8)
	xchg	%r8, %rax
	fldl	(%rax)
	fstps	8(%rsp)
	ud2
	movnti	%rax, (%rbx)
	popcnt	(%rax), %rcx
	crc32q	(%rax), %rcx
	movbe	(%rax), %rcx
	prefetcht0 (%rax)
	clflush	(%rax)
	vmcall
	vmlaunch
	vmread	%rax, (%rbx)
	vmwrite	(%rbx), %rax
	rdrand	%rax
	rdfsbase %rax
	xgetbv
	pinsrd	$1, (%rax), %xmm0
	pshufd	$0x1b, 0x10(%rax), %xmm1
	movdqa	(%rax), %xmm8
	addps	%xmm1, %xmm2
	cmpps	$2, (%rax), %xmm3
	pextrw	$3, %xmm1, %eax
	palignr	$4, (%rcx), %xmm5
	movq	%xmm0, %rax
	movd	(%rax), %mm0
	emms
	prefetchw (%rax)
	bsf	(%rax), %rcx
	lzcnt	(%rax), %rcx
	tzcnt	%rax, %rcx
